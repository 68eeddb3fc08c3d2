"""The load suite's URL templates: what each scenario request calls, taken from the spec in use.

PINNED is the table the load suite hard-coded before its templates came from the spec (issue 13,
commit c8e6b1c pinned it against the old constant): taking them from our own spec gives exactly these,
so nothing the load suite sends moved.
"""

import json
from pathlib import Path

import pytest

from mypref_harness import resources
from mypref_harness.load.scenarios import DEFAULT_MODEL, TASK_NEEDS, USER_TASKS
from mypref_harness.load.templates import (
    LOAD_OPERATIONS,
    LoadTemplates,
    left_out,
    left_out_line,
    resolve_templates,
    runnable_model,
    templates_for_spec,
)
from mypref_harness.spec.roles import resolve_roles

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
SWASHBUCKLE = FIXTURES / "swashbuckle-v4.json"
RENAMED = FIXTURES / "swashbuckle-v4-renamed.json"

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


def _table(templates: LoadTemplates) -> dict[str, tuple[str, str, str]]:
    return {key: (t.group, t.method, t.template) for key, t in templates.templates.items()}


def test_our_spec_gives_the_pinned_fifteen():
    templates = templates_for_spec(str(resources.spec_file()))
    assert _table(templates) == PINNED
    assert templates.unresolved == {}
    assert templates.templates["create_profile"].expect == (200, 201)
    assert {t.expect for k, t in templates.templates.items() if k != "create_profile"} == {(200,)}


def test_a_swashbuckle_file_gives_the_same_routes_in_its_own_spelling():
    templates = templates_for_spec(str(SWASHBUCKLE))
    assert templates.unresolved == {}
    theirs = {key: (g, m, path.replace("{clientId}", "{ClientId}")) for key, (g, m, path) in PINNED.items()}
    assert _table(templates) == theirs
    read = templates.templates["profile_by_id"]
    assert read.url(clientId="ACME_CORP", profileId=7) == "/ACME_CORP/Profile/7"
    assert read.name == "lookup: GET /{ClientId}/Profile/{profileId}"


def test_urls_fill_the_specs_parameter_names_and_quote_path_and_query_values():
    doc = {
        "swagger": "2.0",
        "paths": {
            "/{Account}/Profile/Preferences/AlternateIdType/{type}/AlternateId/{value}": {
                "post": {"operationId": "Prefs_Upsert"}
            }
        },
    }
    op = resolve_templates(resolve_roles(doc)).templates["upsert_preferences"]
    url = op.url({"x": "a b"}, clientId="ACME_CORP", alternateIdType="CRM ID", alternateId="A/1")
    assert url == "/ACME_CORP/Profile/Preferences/AlternateIdType/CRM%20ID/AlternateId/A%2F1?x=a+b"
    assert op.name == "write: POST /{Account}/Profile/Preferences/AlternateIdType/{type}/AlternateId/{value}"
    with pytest.raises(ValueError, match="missing path parameter"):
        op.url(clientId="X")


def test_an_operation_found_by_name_with_other_path_parameters_is_unresolved_with_the_reason():
    doc = {"swagger": "2.0", "paths": {"/Profiles/{id}": {"get": {"operationId": "getProfile"}}}}
    templates = resolve_templates(resolve_roles(doc))
    assert "profile_by_id" not in templates.templates
    assert templates.unresolved["profile_by_id"] == (
        "read-profile is GET /Profiles/{id}: 1 path parameter(s), "
        "the load suite fills 2 (clientId, profileId)"
    )


def test_templates_travel_as_json_unchanged():
    templates = templates_for_spec(str(RENAMED))
    again = LoadTemplates.from_json(templates.to_json())
    assert again == templates
    unresolved = json.loads(templates.to_json())["unresolved"]
    assert unresolved == {"create_profile": "no operation plays create-profile"}


def test_every_task_names_requests_the_load_suite_has():
    keys = {op.key for op in LOAD_OPERATIONS}
    assert set(TASK_NEEDS) == {task for tasks in USER_TASKS.values() for task in tasks}
    assert {key for needs in TASK_NEEDS.values() for key in needs} == keys


def test_a_renamed_create_leaves_every_profile_task_out_with_one_line():
    templates = templates_for_spec(str(RENAMED))
    dropped = {(item.user, item.task) for item in left_out(DEFAULT_MODEL, templates)}
    assert dropped == {
        (user, task) for user, tasks in USER_TASKS.items() for task in tasks if task != "read_configuration"
    }
    line = left_out_line(left_out(DEFAULT_MODEL, templates))
    assert line == (
        "left out of the mix (roles the spec lacks): no operation plays create-profile -> "
        + ", ".join(f"{user}.{task}" for user, task in sorted(dropped, key=_in_model_order))
    )
    model = runnable_model(DEFAULT_MODEL, templates)
    assert [u.name for u in model.active_users()] == ["preference_center"]
    assert model.users["preference_center"].tasks["read_configuration"] == 4
    assert model.users["integration"].weight == 0


def test_tasks_lacking_different_roles_are_grouped_by_reason():
    doc = {
        "swagger": "2.0",
        "paths": {
            "/{c}/Profile": {"post": {}},
            "/{c}/Profile/{p}/History/StandardFields": {"get": {}},
            "/{c}/Programs": {"get": {}},
            "/{c}/ProgramGroups": {"get": {}},
        },
    }
    line = left_out_line(left_out(DEFAULT_MODEL, resolve_templates(resolve_roles(doc))))
    assert line.startswith(
        "left out of the mix (roles the spec lacks): no operation plays consent-types -> "
        "preference_center.read_configuration | no operation plays read-profile -> "
        "preference_center.view_profile, integration.lookup_by_id | "
    )
    assert "no operation plays preferences-history; no operation plays consents-history -> " \
        "preference_center.view_history" in line


def _in_model_order(pair):
    user, task = pair
    return list(USER_TASKS).index(user), list(DEFAULT_MODEL.users[user].tasks).index(task)


def test_a_spec_that_lacks_nothing_leaves_nothing_out():
    templates = templates_for_spec(str(SWASHBUCKLE))
    assert left_out(DEFAULT_MODEL, templates) == []
    assert runnable_model(DEFAULT_MODEL, templates) == DEFAULT_MODEL


def test_a_spec_whose_paths_carry_the_prefix_sends_them_once_under_the_api_root(tmp_path):
    document = json.loads(SWASHBUCKLE.read_text())
    document["paths"] = {"/Profiles/v4" + path: item for path, item in document["paths"].items()}
    del document["basePath"]
    spec = tmp_path / "prefixed.json"
    spec.write_text(json.dumps(document))
    templates = templates_for_spec(str(spec), base_url="http://127.0.0.1:9/Profiles/v4")
    read = templates.templates["profile_by_id"]
    assert read.template == "/Profiles/v4/{ClientId}/Profile/{profileId}"  # names the spec's route
    assert read.url(clientId="ACME_CORP", profileId=7) == "/ACME_CORP/Profile/7"  # under the root
    assert LoadTemplates.from_json(templates.to_json()) == templates
    unplaced = templates_for_spec(str(spec)).templates["profile_by_id"]
    assert unplaced.url(clientId="ACME_CORP", profileId=7) == "/Profiles/v4/ACME_CORP/Profile/7"
