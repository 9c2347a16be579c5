#!/usr/bin/env bash
# Prints the path of a working Python 3.10, or explains what to install and exits 1.
# Rasa Open Source 3.6 runs only on Python 3.8-3.10.
set -u
for candidate in python3.10 \
    "$(command -v pyenv >/dev/null 2>&1 && pyenv root 2>/dev/null)/versions/"3.10*/bin/python3.10 \
    "$HOME/.pyenv/versions/"3.10*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
  [ -n "$candidate" ] || continue
  if "$candidate" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
    command -v "$candidate" 2>/dev/null || echo "$candidate"
    exit 0
  fi
done
cat >&2 <<'MSG'
Wegwijs needs Python 3.10 (Rasa Open Source 3.6 supports only Python 3.8-3.10), and none was found.
Install one, for example:
  pyenv install 3.10        (https://github.com/pyenv/pyenv)
  apt-get install python3.10 python3.10-venv     (where your distribution offers it)
then run the make command again. To use a specific interpreter: make PYTHON=/path/to/python3.10 ...
MSG
exit 1
