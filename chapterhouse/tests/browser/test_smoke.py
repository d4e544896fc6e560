import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_home_page_renders_without_script_or_policy_errors(page):
    page.goto("/")
    assert page.locator("a.brand").inner_text() == "Chapterhouse"
    assert page.csp_errors == []
