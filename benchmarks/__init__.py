"""The benchmark behind `make bench` and the national-scale data it runs on.

Not part of the portal: a plain package beside it, in no INSTALLED_APPS. `python -m
benchmarks.run` measures the key pages against DESIGN §8's budgets, `python -m
benchmarks.seed_national` seeds the data alone, and `benchmarks/locustfile.py` is the load that
locust's own command line runs. Each entry point sets up Django itself, with
DJANGO_SETTINGS_MODULE=hicm_portal.settings unless it is set.
"""
