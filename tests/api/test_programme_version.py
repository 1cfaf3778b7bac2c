"""Two organisers editing a programme at once: the second save, based on the version both
read, is refused (409) and nothing of the first is overwritten."""

from __future__ import annotations

import asyncio

from tests.api.test_programmes import account, admin, appoint, programme


async def test_a_save_based_on_an_old_version_is_refused_and_changes_nothing(client, pool):
    _, boss = await admin(client, pool)
    p = await programme(client, boss)
    olga, olga_headers = await account(client, display_name="Olga Organiser")
    await appoint(client, p["id"], olga["id"], boss)
    url = f"/api/v1/programmes/{p['id']}"
    read = (await client.get(url, headers=olga_headers)).json()
    assert read["version"] == 1

    first = await client.patch(
        url,
        json={"settings": {"mode": "stable"}, "version": read["version"]},
        headers=boss,
    )
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2

    second = await client.patch(
        url,
        json={"settings": {"min_overlap_hours": 3}, "version": read["version"]},
        headers=olga_headers,
    )
    assert second.status_code == 409, second.text
    message = second.json()["error"]["message"]
    assert "someone else changed this programme" in message
    assert "version 1" in message and "version 2" in message
    stored = (await client.get(url, headers=boss)).json()
    assert stored["settings"]["mode"] == "stable"
    assert stored["settings"]["min_overlap_hours"] == 1.0
    assert stored["version"] == 2

    # Read again, the same change goes through; leaving the version out saves regardless.
    again = await client.patch(
        url,
        json={"settings": {"min_overlap_hours": 3}, "version": stored["version"]},
        headers=olga_headers,
    )
    assert again.status_code == 200 and again.json()["version"] == 3
    blind = await client.patch(url, json={"description": "Spring"}, headers=olga_headers)
    assert blind.status_code == 200 and blind.json()["version"] == 4
    # A new invitation link is not an edit of the settings: the version stays.
    assert (await client.post(url + "/invitation", headers=olga_headers)).status_code == 200
    assert (await client.get(url, headers=boss)).json()["version"] == 4


async def test_two_saves_of_the_same_version_at_once_one_wins(client, pool):
    _, boss = await admin(client, pool)
    p = await programme(client, boss)
    url = f"/api/v1/programmes/{p['id']}"
    results = await asyncio.gather(
        *(
            client.patch(url, json={"settings": {"round_size": n}, "version": 1}, headers=boss)
            for n in (10, 20)
        )
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    winner = next(r for r in results if r.status_code == 200).json()
    stored = (await client.get(url, headers=boss)).json()
    assert stored["settings"]["round_size"] == winner["settings"]["round_size"]
    assert stored["version"] == 2


async def test_bad_versions_are_422(client, pool):
    _, boss = await admin(client, pool)
    p = await programme(client, boss)
    url = f"/api/v1/programmes/{p['id']}"
    for bad in (0, -1, "1", 1.5, None):
        r = await client.patch(url, json={"name": "X", "version": bad}, headers=boss)
        assert r.status_code == 422, (bad, r.text)
        assert [f["field"] for f in r.json()["error"]["fields"]] == ["version"]
    assert (await client.get(url, headers=boss)).json()["name"] == p["name"]
