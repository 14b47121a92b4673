import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from indh_site.env import env_str


class Command(BaseCommand):
    help = (
        "Create the first superuser if none exists. Reads ADMIN_USERNAME and ADMIN_PASSWORD from the "
        "environment; without a password, generates one and prints it (once; it is kept in var/)."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        username = env_str("ADMIN_USERNAME", "admin")
        credentials_file = settings.BASE_DIR / "var" / "admin-credentials.txt"
        if User.objects.filter(username=username).exists():
            hint = f" (see {credentials_file})" if credentials_file.exists() else ""
            self.stdout.write(f"Admin account '{username}' already exists{hint}.")
            return
        password = env_str("ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if not env_str("ADMIN_PASSWORD"):
            credentials_file.write_text(f"username: {username}\npassword: {password}\n")
            credentials_file.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(f"Admin account created — username: {username}  password: {password}")
        )
