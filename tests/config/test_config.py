"""config: defaults and precedence, validation, secrets hygiene, secret files, target_env."""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path

import pytest

from mypref_harness.config import ConfigWarning, Target, load_target
from mypref_harness.errors import ConfigError, ExitCode
from mypref_harness.secret import Secret

KEY = "pnauth-key-value-1234567890"
CLIENT_SECRET = "oauth-client-secret-abcdefghijklmnop"

CONFIGURED = {
    "MYPREF_BASE_URL": "http://127.0.0.1:8080/Profiles/v4/",
    "MYPREF_CLIENT_ID": "ACME_CORP",
    "MYPREF_USER_ID": "John.Doe",
    "MYPREF_API_KEY": KEY,
}


def write_toml(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path, monkeypatch):
    # ./mypref.toml is read by default: never pick up a developer's file.
    monkeypatch.chdir(tmp_path)


# ------------------------------------------------------------------ defaults and precedence


def test_no_configuration_means_embedded_sandbox():
    target = load_target(env={})
    assert target.is_embedded
    assert target.base_url is None
    assert target.auth == "pnauth"
    assert target.pnauth_scheme == "PNAUTHINFO3-HMAC-SHA256"
    assert target.secrets() == []


def test_default_spec_is_found_relative_to_the_package_not_the_cwd(tmp_path):
    target = load_target(env={})
    spec = Path(target.spec)
    assert spec.is_absolute()
    assert spec.parts[-3:] == ("contracts", "openapi", "mypreferences-v4.yaml")
    assert not str(spec).startswith(str(tmp_path))  # cwd is tmp_path


def test_env_configures_a_target_and_strips_trailing_slash():
    target = load_target(env=CONFIGURED)
    assert not target.is_embedded
    assert target.base_url == "http://127.0.0.1:8080/Profiles/v4"
    assert (target.client_id, target.user_id) == ("ACME_CORP", "John.Doe")
    assert isinstance(target.api_key, Secret)
    assert target.api_key.reveal() == KEY
    assert target.sources["base_url"] == "env MYPREF_BASE_URL"


def test_env_wins_over_toml_and_toml_fills_the_rest(tmp_path):
    toml = write_toml(
        tmp_path / "my.toml",
        """
base_url = "http://127.0.0.1:1111/Profiles/v4"
client_id = "FROM_FILE"
user_id = "file.user"
api_key = "file-key-123456"
pnauth_scheme = "pnauthinfo3-hmac-sha512"
""",
    )
    env = {"MYPREF_CONFIG": str(toml), "MYPREF_CLIENT_ID": "FROM_ENV"}
    target = load_target(env=env)
    assert target.client_id == "FROM_ENV"
    assert target.user_id == "file.user"
    assert target.base_url == "http://127.0.0.1:1111/Profiles/v4"
    assert target.pnauth_scheme == "PNAUTHINFO3-HMAC-SHA512"  # canonical upper case
    assert target.api_key == Secret("file-key-123456")
    assert target.sources["client_id"] == "env MYPREF_CLIENT_ID"
    assert target.sources["user_id"].startswith("file ")
    assert target.config_file == toml.resolve()


def test_mypref_toml_in_cwd_is_read_by_default(tmp_path):
    write_toml(tmp_path / "mypref.toml", 'auth = "oauth"\n')
    assert load_target(env={}).auth == "oauth"


def test_explicit_toml_path_argument_beats_mypref_config(tmp_path):
    a = write_toml(tmp_path / "a.toml", 'user_id = "from-a"\n')
    b = write_toml(tmp_path / "b.toml", 'user_id = "from-b"\n')
    assert load_target(env={"MYPREF_CONFIG": str(a)}, toml_path=b).user_id == "from-b"


def test_empty_env_values_count_as_unset(tmp_path):
    write_toml(tmp_path / "mypref.toml", 'user_id = "from-file"\n')
    target = load_target(env={"MYPREF_USER_ID": "", "MYPREF_SPEC": "  "})
    assert target.user_id == "from-file"
    assert target.is_embedded  # an empty MYPREF_BASE_URL is an error instead: tests/config


def test_toml_paths_are_relative_to_the_file_and_tables_are_ignored(tmp_path):
    sub = tmp_path / "conf"
    sub.mkdir()
    (sub / "spec.yaml").write_text("openapi: 3.0.3\n")
    write_toml(sub / "h.toml", 'spec = "spec.yaml"\n[load]\nusers = 5\n')
    target = load_target(env={}, toml_path=sub / "h.toml")
    assert Path(target.spec) == (sub / "spec.yaml").resolve()


def test_spec_may_be_a_url():
    target = load_target(env={"MYPREF_SPEC": "http://127.0.0.1:9/openapi.yaml"})
    assert target.spec == "http://127.0.0.1:9/openapi.yaml"


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"MYPREF_AUTH": "kerberos"}, "unknown auth mode 'kerberos'"),
        ({"MYPREF_OAUTH_SEND": "header"}, "unknown oauth_send"),
        ({"MYPREF_USER_ID_ENCODING": "utf7"}, "unknown user_id_encoding"),
        ({"MYPREF_PNAUTH_SCHEME": "PNAUTHINFO100-SHA256"}, "unsupported PNAUTHINFO3 scheme"),
        ({"MYPREF_BASE_URL": "127.0.0.1:8080/Profiles/v4"}, "malformed URL"),
        ({"MYPREF_BASE_URL": "ftp://127.0.0.1/x"}, "malformed URL"),
        ({"MYPREF_BASE_URL": "http://127.0.0.1:99999/x"}, "bad port"),
        ({"MYPREF_BASE_URL": "http://u:p@127.0.0.1/x"}, "credentials in the URL"),
        ({"MYPREF_TOKEN_URL": "http://127.0.0.1/t?x=1"}, "no query"),
        ({"MYPREF_SPEC": "/nonexistent/spec.yaml"}, "spec file not found"),
        ({"MYPREF_OAUTH_CERT": "/nonexistent/cert.pem"}, "file not found"),
        ({"MYPREF_CONFIG": "/nonexistent/mypref.toml"}, "config file not found"),
    ],
)
def test_invalid_settings_raise_one_line_config_errors(env, fragment):
    with pytest.raises(ConfigError) as info:
        load_target(env=env)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message
    assert info.value.exit_code == ExitCode.USAGE


def test_error_names_where_the_bad_value_came_from(tmp_path):
    toml = write_toml(tmp_path / "x.toml", 'auth = "saml"\n')
    with pytest.raises(ConfigError, match=r"file .*x\.toml"):
        load_target(env={}, toml_path=toml)


def test_configured_pnauth_target_needs_key_client_and_user():
    without_key = {k: v for k, v in CONFIGURED.items() if k != "MYPREF_API_KEY"}
    with pytest.raises(ConfigError, match="MYPREF_API_KEY"):
        load_target(env=without_key)
    without_user = {k: v for k, v in CONFIGURED.items() if k != "MYPREF_USER_ID"}
    with pytest.raises(ConfigError, match="MYPREF_USER_ID"):
        load_target(env=without_user)


def test_embedded_target_needs_no_credentials():
    assert load_target(env={"MYPREF_AUTH": "oauth"}).is_embedded


def test_configured_oauth_target_needs_token_url_and_a_credential(tmp_path):
    base = {**CONFIGURED, "MYPREF_AUTH": "oauth"}
    with pytest.raises(ConfigError, match="MYPREF_TOKEN_URL"):
        load_target(env=base)
    base["MYPREF_TOKEN_URL"] = "http://127.0.0.1:8080/oauth2/v1/token"
    with pytest.raises(ConfigError, match="MYPREF_OAUTH_CLIENT_ID"):
        load_target(env=base)
    base["MYPREF_OAUTH_CLIENT_ID"] = "oauth-client"
    with pytest.raises(ConfigError, match="MYPREF_OAUTH_CLIENT_SECRET or MYPREF_OAUTH_CERT"):
        load_target(env=base)
    cert = tmp_path / "c.pem"
    cert.write_text("x")
    with pytest.raises(ConfigError, match="set together"):
        load_target(env={**base, "MYPREF_OAUTH_CERT": str(cert)})
    key = tmp_path / "k.pem"
    key.write_text("x")
    with pytest.raises(ConfigError, match="not both"):
        load_target(
            env={
                **base,
                "MYPREF_OAUTH_CERT": str(cert),
                "MYPREF_OAUTH_KEY": str(key),
                "MYPREF_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
            }
        )
    ok = load_target(env={**base, "MYPREF_OAUTH_CLIENT_SECRET": CLIENT_SECRET, "MYPREF_OAUTH_SEND": "BODY"})
    assert ok.oauth_send == "body"
    assert ok.scope == "ACME_CORP/John.Doe"


def test_unknown_toml_key_is_rejected(tmp_path):
    toml = write_toml(tmp_path / "t.toml", 'base_ulr = "http://127.0.0.1/x"\n')
    with pytest.raises(ConfigError, match="unknown key 'base_ulr'"):
        load_target(env={}, toml_path=toml)


def test_invalid_toml_is_a_config_error(tmp_path):
    toml = write_toml(tmp_path / "t.toml", "base_url = \n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_target(env={}, toml_path=toml)


# ------------------------------------------------------------------ secrets


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_secrets_in_a_world_readable_toml_are_ignored_with_a_warning(tmp_path):
    toml = write_toml(
        tmp_path / "t.toml",
        f"""
base_url = "http://127.0.0.1:1/Profiles/v4"
client_id = "C"
user_id = "U"
api_key = "{KEY}"
""",
        mode=0o644,
    )
    with (
        pytest.warns(ConfigWarning, match="readable by other users") as record,
        pytest.raises(ConfigError, match="ignored: file readable by others"),
    ):
        load_target(env={}, toml_path=toml)
    assert all(KEY not in str(w.message) for w in record)
    # With the key from the environment the same file is fine (non-secret values still used).
    with pytest.warns(ConfigWarning):
        target = load_target(env={"MYPREF_API_KEY": "env-key-12345"}, toml_path=toml)
    assert target.api_key == Secret("env-key-12345")
    assert target.client_id == "C"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_secrets_in_an_owner_only_toml_are_used(tmp_path, recwarn):
    toml = write_toml(
        tmp_path / "t.toml",
        f'base_url = "http://127.0.0.1:1/P"\nclient_id = "C"\nuser_id = "U"\napi_key = "{KEY}"\n',
        mode=0o600,
    )
    assert load_target(env={}, toml_path=toml).api_key == Secret(KEY)
    assert not [w for w in recwarn if issubclass(w.category, ConfigWarning)]


def test_secret_never_appears_in_repr_str_format_or_logs(caplog):
    target = load_target(env={**CONFIGURED, "MYPREF_OAUTH_CLIENT_SECRET": CLIENT_SECRET})
    renderings = [
        repr(target),
        str(target),
        f"{target}",
        target.describe(),
        repr(target.api_key),
        str(target.api_key),
        f"{target.api_key}",
        f"{target.api_key:>40}",
        "{}".format(target),  # noqa: UP032 - the str.format path is what logging-style code uses
    ]
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("plumbing-test").info("target %s key %s %r", target, target.api_key, target)
    renderings.append(caplog.text)
    for text in renderings:
        assert KEY not in text
        assert CLIENT_SECRET not in text
    assert "Secret('***')" in repr(target)
    assert sorted(target.secrets()) == sorted([KEY, CLIENT_SECRET])
    assert target.named_secrets() == {"api_key": KEY, "oauth_client_secret": CLIENT_SECRET}


def test_plain_str_secrets_are_wrapped_and_secret_survives_pickle():
    target = Target(base_url="http://127.0.0.1:1/P", client_id="C", user_id="U", api_key=KEY)
    assert isinstance(target.api_key, Secret)
    assert KEY not in repr(target)
    copy = pickle.loads(pickle.dumps(target))  # noqa: S301 - our own bytes
    assert copy.api_key == Secret(KEY)
    assert copy.api_key.reveal() == KEY


# ------------------------------------------------------------------ secrets from files


def test_secret_from_a_file_named_in_env(tmp_path):
    key_file = tmp_path / "key.txt"
    key_file.write_text(KEY + "\n")
    env = {k: v for k, v in CONFIGURED.items() if k != "MYPREF_API_KEY"}
    target = load_target(env={**env, "MYPREF_API_KEY_FILE": str(key_file)})
    assert target.api_key == Secret(KEY)  # trailing newline dropped
    assert target.sources["api_key"] == "env MYPREF_API_KEY_FILE (contents)"


def test_env_secret_file_beats_toml_value_and_env_value_beats_env_file(tmp_path):
    key_file = tmp_path / "key.txt"
    key_file.write_text("from-the-file-123")
    toml = write_toml(tmp_path / "t.toml", 'api_key = "from-the-toml-123"\n')
    assert load_target(env={"MYPREF_API_KEY_FILE": str(key_file)}, toml_path=toml).api_key == Secret(
        "from-the-file-123"
    )
    env = {"MYPREF_API_KEY_FILE": str(key_file), "MYPREF_API_KEY": "from-env-value-123"}
    assert load_target(env=env, toml_path=toml).api_key == Secret("from-env-value-123")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_world_readable_toml_may_name_a_secret_file(tmp_path, recwarn):
    (tmp_path / "secret.txt").write_text(CLIENT_SECRET)
    toml = write_toml(tmp_path / "t.toml", 'oauth_client_secret_file = "secret.txt"\n', mode=0o644)
    assert load_target(env={}, toml_path=toml).oauth_client_secret == Secret(CLIENT_SECRET)
    assert not [w for w in recwarn if issubclass(w.category, ConfigWarning)]


def test_missing_or_empty_secret_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read api_key"):
        load_target(env={"MYPREF_API_KEY_FILE": str(tmp_path / "nope")})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ConfigError, match="is empty"):
        load_target(env={"MYPREF_API_KEY_FILE": str(tmp_path / "empty")})


def test_target_env_round_trips_through_load_target(tmp_path):
    from mypref_harness.config import load_target, target_env

    original = Target(
        base_url="https://api.example.test/Profiles/v4", client_id="ACME_CORP", user_id="John Doe",
        auth="oauth", api_key="k" * 20, token_url="https://auth.example.test/oauth2/v1/token",
        oauth_client_id="c" * 48, oauth_client_secret="s" * 64, oauth_send="body",
        pnauth_scheme="PNAUTHINFO3-HMAC-SHA512", user_id_encoding="percent",
    )
    env = target_env(original)
    assert env["MYPREF_OAUTH_CLIENT_SECRET"] == "s" * 64  # raw value: this goes into a child's environment
    rebuilt = load_target(env=env, toml_path=None)
    for field in ("base_url", "client_id", "user_id", "auth", "token_url", "oauth_client_id", "oauth_send",
                  "pnauth_scheme", "user_id_encoding", "spec"):
        assert getattr(rebuilt, field) == getattr(original, field), field
    assert rebuilt.secrets() == original.secrets()


def test_the_secret_file_reader_names_the_file_in_each_error(tmp_path):
    from mypref_harness.config import read_secret_file

    key = tmp_path / "key"
    key.write_text("the-key\r\n")
    assert read_secret_file(key, "--key-file key") == "the-key"
    with pytest.raises(ConfigError, match=r"^cannot read --key-file nope: "):
        read_secret_file(tmp_path / "nope", "--key-file nope")
    (tmp_path / "latin1").write_bytes(b"\xff\xfe key")
    with pytest.raises(ConfigError, match=r"^--key-file latin1 is not UTF-8 text$"):
        read_secret_file(tmp_path / "latin1", "--key-file latin1")
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ConfigError, match=r"^--key-file empty is empty$"):
        read_secret_file(tmp_path / "empty", "--key-file empty")
