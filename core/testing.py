"""Test helpers shared by every app's tests (imported by conftest.py)."""

from django_otp.plugins.otp_totp.models import TOTPDevice


def login_verified(client, user):
    """Log ``user`` in as if they had passed the second factor too."""
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="default", defaults={"confirmed": True}
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client
