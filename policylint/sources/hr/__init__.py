"""HR rosters: who the people are and whether they still work here (SCIM 2.0, Okta, a CSV roster).

Each format is its own source (registered in `policylint.sources`); `_shared` holds what they agree on:
person ids, time stamps, and one person per user name.
"""
