"""The demo organisation (manage.py seed_demo): not domain code.

It writes through the domain's services (and, for its thousands of members, through
lib.bulk and the chapter tree's bulk builder); no domain app imports it.
people: members, chapters and the ready-made login; plan: where they live; text: their
names and words; decisions and script: the demo decisions, told as one story.
"""
