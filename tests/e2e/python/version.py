"""VersionApi.get_code (GET /version/) reports a 1.32 server."""
from kubernetes import client

from e2e_common import api_client, check, check_eq, run


def main():
    info = client.VersionApi(api_client()).get_code()
    check_eq(info.major, "1", "major")
    check_eq(info.minor, "32", "minor")
    check(info.git_version.startswith("v1.32."), "git_version %r" % info.git_version)
    check(bool(info.platform), "platform is empty")


run(main)
