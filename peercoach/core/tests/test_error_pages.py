from __future__ import annotations


def test_a_forbidden_page_explains_itself_in_the_site_layout(personas):
    response = personas.client_for(personas.pia).get("/organization/members/")
    assert response.status_code == 403
    assert "isn't part of your role" in response.content.decode()
    assert 'class="site-header"' in response.content.decode()


def test_a_missing_page_says_so_without_telling_whether_it_exists_elsewhere(personas):
    response = personas.client_for(personas.pia).get(f"/people/{personas.globex_person.pk}/")
    assert response.status_code == 404
    assert "isn't part of your organization" in response.content.decode()
