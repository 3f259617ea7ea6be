# Sourced by the other scripts: where the installed tools are found.
# cargo install puts binaries in ~/.cargo/bin; wasm-opt comes from an npm prefix in the user cache
# so it is shared by every checkout on the machine and needs no root.
SITEBOOK_TOOLS="${SITEBOOK_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/sitebook/tools}"
export SITEBOOK_TOOLS
# The Python virtual environment with the client libraries the client tests drive
# (`scripts/setup --client-tests`).
SITEBOOK_CLIENTS_VENV="${SITEBOOK_CLIENTS_VENV:-$SITEBOOK_TOOLS/venv-clients}"
export SITEBOOK_CLIENTS_VENV
export PATH="$HOME/.cargo/bin:$SITEBOOK_TOOLS/node_modules/.bin:$PATH"
