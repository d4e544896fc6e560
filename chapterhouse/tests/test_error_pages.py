import pytest
from django.test import Client


@pytest.mark.django_db
def test_an_unknown_address_gets_our_not_found_page(client: Client):
    response = client.get("/c/zz/nowhere/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.django_db
def test_a_refusal_explains_itself(member_client):
    # A member who is not a facilitator may see the chapter but not edit it.
    response = member_client.get("/c/gb/edit/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You can't do that here" in html
    assert "Only this chapter&#x27;s facilitators can edit it." in html
