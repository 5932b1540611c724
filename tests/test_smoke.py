def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Log in" in response.data


def test_team_member_sees_chain(client, project, login_as):
    login_as("team_member", project)
    response = client.get(f"/projects/{project.id}/chain/")
    assert response.status_code == 200
    assert "Reports written for the client" in response.get_data(as_text=True)
