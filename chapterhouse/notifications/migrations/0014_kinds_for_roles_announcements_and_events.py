"""Kinds: a role given or ended, an announcement, an event reminder."""
from django.db import migrations, models
import django.db.models.deletion
import django.utils.timezone


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0013_notices_as_messages'),
    ]

    operations = [
        migrations.AlterField(
            model_name='emailpreference',
            name='kind',
            field=models.CharField(choices=[('welcome', 'Welcome to the organisation'), ('member_joined', 'A new member joined a chapter you facilitate'), ('role_invitation', 'An invitation to facilitate a chapter'), ('proposal_published', 'A proposal in a chapter you facilitate'), ('new_proposal', 'A new proposal in one of your chapters'), ('amendment_proposed', 'An amendment to your proposal'), ('amendment_accepted', 'Your amendment was accepted'), ('voting_opened', 'Voting opened on a proposal you follow'), ('vote_reminder', 'A reminder to vote before the close'), ('decision_recorded', 'A decision was recorded'), ('mention', 'Someone mentioned you in a discussion'), ('reply', 'Someone replied to your post'), ('quote', 'Someone quoted your post'), ('watched_post', 'A new post in a thread or forum you watch'), ('weight_objection', 'An objection to the weights of your proposal'), ('role_granted', 'A role was given to you'), ('role_ended', 'A role of yours ended'), ('announcement', 'An announcement from your chapter'), ('event_reminder', 'A reminder of an event')], max_length=40),
        ),
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('welcome', 'Welcome to the organisation'), ('member_joined', 'A new member joined a chapter you facilitate'), ('role_invitation', 'An invitation to facilitate a chapter'), ('proposal_published', 'A proposal in a chapter you facilitate'), ('new_proposal', 'A new proposal in one of your chapters'), ('amendment_proposed', 'An amendment to your proposal'), ('amendment_accepted', 'Your amendment was accepted'), ('voting_opened', 'Voting opened on a proposal you follow'), ('vote_reminder', 'A reminder to vote before the close'), ('decision_recorded', 'A decision was recorded'), ('mention', 'Someone mentioned you in a discussion'), ('reply', 'Someone replied to your post'), ('quote', 'Someone quoted your post'), ('watched_post', 'A new post in a thread or forum you watch'), ('weight_objection', 'An objection to the weights of your proposal'), ('role_granted', 'A role was given to you'), ('role_ended', 'A role of yours ended'), ('announcement', 'An announcement from your chapter'), ('event_reminder', 'A reminder of an event')], max_length=40),
        ),
    ]
