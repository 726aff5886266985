import tutela


def test_public_api_is_pinned() -> None:
    assert set(tutela.__all__) == {
        "LOCAL_OPERATOR",
        "Actor",
        "Clock",
        "Context",
        "FixedClock",
        "Settings",
        "SystemClock",
        "TutelaError",
        "__version__",
        "audit",
        "init_store",
        "keys",
        "load_settings",
        "open_store",
        "policy_versions",
        "status",
        "vault",
    }
    for name in tutela.__all__:
        assert hasattr(tutela, name), name
