"""Operating the site: backups, restores and the data check (manage.py backup,
restore, check_data). Above every domain app, because the checks read them all."""
