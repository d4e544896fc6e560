"""Taking the member's reply out of what their mail program sent: quotes, attributions
in the site's languages, Outlook's header blocks and signatures are left out; what the
member wrote (Markdown indentation included) is kept."""

import email
import email.policy
from pathlib import Path
from string import Template

import pytest

from chapterhouse.inbound.text import html_text, message_text, reply_text

MAIL = Path(__file__).parent / "mail"


def eml(name: str, **values: str) -> email.message.EmailMessage:
    text = Template((MAIL / name).read_text()).substitute(
        {"to": "reply+post-abc@reply.example.org", "sender": "ada@example.org", **values})
    return email.message_from_bytes(text.replace("\n", "\r\n").encode(),
                                    policy=email.policy.default)


@pytest.mark.parametrize("attribution", [
    "On Mon, 7 Dec 2026 at 10:00, Chapterhouse <noreply@x.org> wrote:",
    "On 7 Dec 2026, at 10:00, Chapterhouse <noreply@x.org> wrote:",
    "El lun, 7 dic 2026 a las 10:00, Chapterhouse (<noreply@x.org>) escribió:",
    "Le lun. 7 déc. 2026 à 10:00, Chapterhouse <noreply@x.org> a écrit :",
    "Am Mo., 7. Dez. 2026 um 10:00 Uhr schrieb Chapterhouse <noreply@x.org>:",
    "Em seg., 7 de dez. de 2026 às 10:00, Chapterhouse <noreply@x.org> escreveu:",
    "> On Mon, 7 Dec 2026 at 10:00, Chapterhouse <noreply@x.org> wrote:",
])
def test_an_attribution_line_and_what_follows_are_left_out(attribution):
    text = f"I agree.\n\n{attribution}\n> The notice.\n> More of it.\n"
    assert reply_text(text) == "I agree."


def test_an_attribution_wrapped_over_two_lines_is_recognised():
    text = ("I agree.\n\nOn Mon, 7 Dec 2026 at 10:00, Chapterhouse\n"
            "<noreply@x.org> wrote:\n\n> The notice.\n")
    assert reply_text(text) == "I agree."


def test_a_sentence_of_the_members_that_looks_like_an_attribution_stays():
    text = "On Monday I wrote:\n\n- the park\n- the library"
    assert reply_text(text) == text


def test_a_signature_after_the_delimiter_is_left_out():
    assert reply_text("Sounds good.\n\n-- \nMaria\nHackney chapter\n") == "Sounds good."


@pytest.mark.parametrize("signature", [
    "Sent from my iPhone", "Enviado desde mi iPhone", "Envoyé de mon iPhone",
    "Von meinem iPhone gesendet", "Enviado do meu iPhone",
    "Get Outlook for iOS<https://aka.ms/o0ukef>",
])
def test_mobile_signatures_are_left_out(signature):
    text = f"Yes!\n\n{signature}\n\n> On 7 Dec 2026, at 10:00, X wrote:\n> hi"
    assert reply_text(text) == "Yes!"


def test_an_outlook_header_block_and_the_message_below_it_are_left_out():
    text = ("I will come.\n\nFrom: Chapterhouse <noreply@x.org>\n"
            "Sent: Monday, December 7, 2026 10:00 AM\nTo: ada@x.org\nSubject: Reply\n\n"
            "Nell replied to you.\n")
    assert reply_text(text) == "I will come."


def test_an_outlook_header_block_in_another_language_is_left_out():
    text = ("Je viendrai.\n\nDe : Chapterhouse <noreply@x.org>\n"
            "Envoyé : lundi 7 décembre 2026 10:00\nÀ : ada@x.org\n\nNell a répondu.")
    assert reply_text(text) == "Je viendrai."


def test_original_message_separators_are_boundaries():
    for separator in ("-----Original Message-----", "-----Ursprüngliche Nachricht-----",
                      "-------- Mensagem original --------", "_" * 32):
        assert reply_text(f"Ok.\n\n{separator}\nThe notice.") == "Ok."


def test_quoted_lines_at_the_end_are_left_out_and_in_the_middle_kept():
    text = "> What time?\nSeven.\n\n> Where?\nThe park.\n\n> Thanks\n> Nell\n"
    assert reply_text(text) == "> What time?\nSeven.\n\n> Where?\nThe park."


def test_a_reply_written_below_the_quote_is_kept():
    text = ("On Mon, 7 Dec 2026 at 10:00, Chapterhouse <noreply@x.org> wrote:\n"
            "> The notice.\n\nMy answer, below.\n-- \nAda")
    assert reply_text(text) == "My answer, below."


def test_indentation_is_kept_for_markdown():
    text = "Here:\n\n    code block\n\n- a list\n    - nested\n"
    assert reply_text(text) == text.rstrip()


def test_only_a_quote_leaves_nothing():
    assert reply_text("> just the quote\n> again\n") == ""
    assert reply_text("\n\n-- \nsignature only") == ""


def test_the_plain_part_of_a_gmail_reply():
    message = eml("gmail_plain.eml")
    assert reply_text(message_text(message)) == (
        "The park, then. I'll bring the banner.\n\n    (this line is indented: it stays)")


def test_the_plain_part_of_a_multipart_alternative_is_preferred():
    text = reply_text(message_text(eml("multipart_alternative.eml")))
    assert text == "Count me in for Saturday.\n\nAda"


def test_an_html_only_outlook_reply_in_another_charset():
    text = reply_text(message_text(eml("outlook_html_only.eml")))
    assert text == "Très bien, je viendrai à la réunion.\n\nDeuxième paragraphe."


def test_an_outlook_plain_reply():
    assert reply_text(message_text(eml("outlook_plain.eml"))) == "Yes - see you there."


def test_html_quotes_signatures_and_scripts_are_not_text():
    html = ("<p>Yes &amp; <b>gladly</b>.</p><script>alert(1)</script>"
            "<blockquote><p>quoted<blockquote>deeper</blockquote></p></blockquote>"
            "<p>After.</p><div class='gmail_signature'>Sig</div><ul><li>one</li></ul>")
    assert html_text(html) == "Yes & gladly.\n\nAfter.\n\n- one"


def test_an_unclosed_tag_inside_a_quote_does_not_swallow_the_rest():
    assert html_text("<blockquote><p>quoted</blockquote><p>mine</p>") == "mine"


def test_a_message_with_only_an_attachment_has_no_text():
    message = email.message.EmailMessage()
    message["From"] = "ada@example.org"
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf",
                           filename="minutes.pdf")
    assert message_text(message) == ""
