"""Marks for the trust tests.

The blindness crawl's tests share one crawl: the first of them to run builds the data and
crawls, the others read its findings (see test_blindness_crawl.py). With pytest-xdist
(`make test`, `--dist loadgroup`) they run in one process, so the crawl runs once.
"""

import pytest


def pytest_collection_modifyitems(config, items) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.path.name == "test_blindness_crawl.py":
            item.add_marker(pytest.mark.xdist_group("blindness_crawl"))
