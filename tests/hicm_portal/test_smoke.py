def test_the_home_page_shows_a_member_their_system(client, cast):
    client.force_login(cast.member)
    response = client.get("/")
    assert response.status_code == 200
    assert "Testshire" in response.content.decode()
    assert "Member of Testshire Hospitals" in response.content.decode()
