"""The load suite's URL templates: what each scenario request calls.

PINNED is the table the load suite hard-coded before its templates came from the spec (issue 13):
taking them from our own spec must give exactly these, so nothing the load suite sends moved.
"""

from mypref_harness.load.scenarios import REQUEST_TEMPLATES

# key: (statistics group, method, template as our spec writes it)
PINNED = {
    "programs": ("config", "GET", "/{clientId}/Programs"),
    "program_groups": ("config", "GET", "/{clientId}/ProgramGroups"),
    "consent_types": ("config", "GET", "/{clientId}/ConsentTypes"),
    "alternate_id_types": ("config", "GET", "/{clientId}/AlternateIdTypes"),
    "profile_by_id": ("lookup", "GET", "/{clientId}/Profile/{profileId}"),
    "profile_by_email": ("lookup", "GET", "/{clientId}/Profile/Email"),
    "profile_by_phone": ("lookup", "GET", "/{clientId}/Profile/Phone"),
    "profile_by_alternate_id": ("lookup", "GET", "/{clientId}/Profile/AlternateId"),
    "create_profile": ("write", "POST", "/{clientId}/Profile"),
    "update_profile": ("write", "POST", "/{clientId}/Profile/{profileId}"),
    "add_consents": ("write", "POST", "/{clientId}/Consents/{profileId}"),
    "upsert_preferences": (
        "write",
        "POST",
        "/{clientId}/Profile/Preferences/AlternateIdType/{alternateIdType}/AlternateId/{alternateId}",
    ),
    "history_standard_fields": ("history", "GET", "/{clientId}/Profile/{profileId}/History/StandardFields"),
    "history_preferences": ("history", "GET", "/{clientId}/Profile/{profileId}/History/Preferences"),
    "history_consents": ("history", "GET", "/{clientId}/Profile/{profileId}/History/Consents"),
}


def test_the_templates_are_the_pinned_fifteen():
    found = {key: (t.group, t.method, t.template) for key, t in REQUEST_TEMPLATES.items()}
    assert found == PINNED
    assert REQUEST_TEMPLATES["create_profile"].expect == (200, 201)
    assert {t.expect for k, t in REQUEST_TEMPLATES.items() if k != "create_profile"} == {(200,)}
