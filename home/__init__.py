"""The home page and the commands that span the apps.

Why an app of its own: the home page gathers what a person must do across every app, and
`seed_demo` and `send_reminders` drive `assessments` and `improvement_plans` together. Here they
sit above the apps they use, so `hicm_portal` (settings, URLs, the user, the shared base) imports
no app and `assessments` imports neither of its dependants (DESIGN §5).
"""
