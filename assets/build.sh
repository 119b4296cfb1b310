#!/usr/bin/env bash
# Build caseapp's third-party front-end files into static/.
#
#   bash assets/build.sh        (from anywhere)
#
# Installs the pinned packages from assets/package-lock.json with `npm ci`
# (needs Node.js >= 20.19 and the npm registry; nothing else from the network),
# then writes:
#   static/css/app.css                  compiled from assets/scss/app.scss
#   static/vendor/govuk-frontend/       GOV.UK Frontend JS module bundle, the
#                                       images app.css refers to, licence
#   static/vendor/htmx/                 htmx, licence
#   static/vendor/VERSIONS.txt          package names, versions, npm integrity
#
# The output is committed. Never edit it by hand: change assets/ and run this
# again. The same lock file always gives byte-identical output.
set -euo pipefail

ASSETS_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(dirname -- "$ASSETS_DIR")"
STATIC_DIR="$REPO_ROOT/static"
VENDOR_DIR="$STATIC_DIR/vendor"
CSS_OUT="$STATIC_DIR/css/app.css"
NODE_MODULES="$ASSETS_DIR/node_modules"
GOVUK_DIST="$NODE_MODULES/govuk-frontend/dist/govuk"
HTMX_PKG="$NODE_MODULES/htmx.org"

# URL prefix under which app.css expects GOV.UK Frontend's assets folder
# (must match $govuk-assets-path in assets/scss/_settings.scss).
GOVUK_ASSETS_URL="/static/vendor/govuk-frontend/assets/"

# Files from GOV.UK Frontend's assets folder that must never be published:
# the GDS Transport font and GOV.UK-only branding (crown, crest, icons).
GOVUK_FORBIDDEN_ASSETS_RE='^(fonts/|manifest\.json$|images/(govuk-crest|govuk-icon|govuk-opengraph|favicon))'

export LC_ALL=C

log() { printf 'build.sh: %s\n' "$*"; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

# --- Tools -------------------------------------------------------------------

command -v node >/dev/null || die "node is not installed (need Node.js >= 20.19)"
command -v npm >/dev/null || die "npm is not installed"
node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error("build.sh: error: Node.js >= 20.19 is needed, found " + process.versions.node);
    process.exit(1);
  }
'

# --- Install the pinned packages ---------------------------------------------

cd "$ASSETS_DIR"

# package.json must pin exact versions, and the lock file must agree with it.
node -e '
  const pkg = require("./package.json");
  const lock = require("./package-lock.json");
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  let bad = false;
  for (const [name, spec] of Object.entries(deps)) {
    if (!/^\d+\.\d+\.\d+$/.test(spec)) {
      console.error(`build.sh: error: ${name}@${spec} in package.json is not an exact version`);
      bad = true;
    }
    const locked = lock.packages["node_modules/" + name];
    if (!locked || locked.version !== spec) {
      console.error(`build.sh: error: package-lock.json has ${name}@${locked && locked.version}, package.json pins ${spec}`);
      bad = true;
    }
  }
  process.exit(bad ? 1 : 0);
'

log "npm ci"
# --ignore-scripts: no package needs an install script for this build.
# --omit=optional: leaves out @parcel/watcher (native, only for `sass --watch`).
npm ci --ignore-scripts --omit=optional --no-audit --no-fund --loglevel=error

# --- Build into a staging folder ---------------------------------------------

STAGE="$(mktemp -d "${TMPDIR:-/tmp}/caseapp-assets.XXXXXX")"
trap 'rm -rf -- "$STAGE"' EXIT
mkdir -p "$STAGE/css" "$STAGE/vendor/govuk-frontend" "$STAGE/vendor/htmx"

log "sass scss/app.scss -> static/css/app.css"
"$NODE_MODULES/.bin/sass" \
  --pkg-importer=node \
  --load-path="$ASSETS_DIR/scss" \
  --style=compressed \
  --no-source-map \
  --no-error-css \
  "$ASSETS_DIR/scss/app.scss" "$STAGE/css/app.css"

# GOV.UK Frontend: the ES module bundle and its source map (the bundle ends
# with a sourceMappingURL comment; shipping the map avoids a 404 in devtools).
install -m 0644 "$GOVUK_DIST/govuk-frontend.min.js" "$STAGE/vendor/govuk-frontend/govuk-frontend.min.js"
install -m 0644 "$GOVUK_DIST/govuk-frontend.min.js.map" "$STAGE/vendor/govuk-frontend/govuk-frontend.min.js.map"

# GOV.UK Frontend assets: exactly the files that app.css refers to.
grep -o 'url([^)]*)' "$STAGE/css/app.css" \
  | sed -e 's/^url(//' -e 's/)$//' -e 's/^["'\'']//' -e 's/["'\'']$//' \
  | sort -u > "$STAGE/urls.txt" || true
while IFS= read -r url; do
  [ -n "$url" ] || continue
  case "$url" in
    data:*) continue ;;
    "$GOVUK_ASSETS_URL"*)
      rel="${url#"$GOVUK_ASSETS_URL"}"
      rel="${rel%%[?#]*}"
      if printf '%s\n' "$rel" | grep -Eq "$GOVUK_FORBIDDEN_ASSETS_RE"; then
        die "app.css refers to GOV.UK-only or font asset '$rel'; exclude it in assets/scss/_settings.scss"
      fi
      [ -f "$GOVUK_DIST/assets/$rel" ] || die "app.css refers to '$url', which GOV.UK Frontend does not have"
      mkdir -p "$(dirname -- "$STAGE/vendor/govuk-frontend/assets/$rel")"
      install -m 0644 "$GOVUK_DIST/assets/$rel" "$STAGE/vendor/govuk-frontend/assets/$rel"
      ;;
    *) die "app.css refers to '$url', which this build does not provide" ;;
  esac
done < "$STAGE/urls.txt"
rm -f -- "$STAGE/urls.txt"

# GOV.UK Frontend licence. The npm package has no LICENSE file, so if there is
# none, write a notice from what the package itself says (package.json and the
# "Licence" section of its README).
govuk_licence=""
for f in LICENSE LICENSE.txt LICENSE.md LICENCE LICENCE.txt; do
  if [ -f "$NODE_MODULES/govuk-frontend/$f" ]; then govuk_licence="$NODE_MODULES/govuk-frontend/$f"; break; fi
done
if [ -n "$govuk_licence" ]; then
  install -m 0644 "$govuk_licence" "$STAGE/vendor/govuk-frontend/LICENSE.txt"
else
  node -e '
    const fs = require("fs");
    const dir = process.argv[1];
    const pkg = JSON.parse(fs.readFileSync(dir + "/package.json", "utf8"));
    const readme = fs.readFileSync(dir + "/README.md", "utf8").split("\n");
    const start = readme.findIndex((l) => /^##\s+Licen[cs]e\s*$/.test(l));
    if (start < 0) { console.error("build.sh: error: no Licence section in govuk-frontend README.md"); process.exit(1); }
    let end = readme.findIndex((l, i) => i > start && /^##\s/.test(l));
    if (end < 0) end = readme.length;
    const section = readme.slice(start + 1, end).join("\n").trim();
    const author = pkg.author && (pkg.author.name || pkg.author);
    const repo = pkg.repository && (pkg.repository.url || pkg.repository);
    const out = [
      `${pkg.name} ${pkg.version}`,
      "",
      "The npm package ships no LICENSE file. This notice was generated by",
      "assets/build.sh from package.json and README.md in the npm package.",
      "",
      `License (package.json): ${pkg.license}`,
      `Author (package.json): ${author}`,
      `Repository (package.json): ${repo}`,
      `Homepage (package.json): ${pkg.homepage}`,
      "",
      "Licence section of the package README.md:",
      "",
      section,
      "",
    ].join("\n");
    fs.writeFileSync(process.argv[2], out);
  ' "$NODE_MODULES/govuk-frontend" "$STAGE/vendor/govuk-frontend/LICENSE.txt"
fi

# htmx
install -m 0644 "$HTMX_PKG/dist/htmx.min.js" "$STAGE/vendor/htmx/htmx.min.js"
[ -f "$HTMX_PKG/LICENSE" ] || die "htmx.org has no LICENSE file"
install -m 0644 "$HTMX_PKG/LICENSE" "$STAGE/vendor/htmx/LICENSE"

# VERSIONS.txt, from the lock file and the installed packages.
node -e '
  const fs = require("fs");
  const lock = require("./package-lock.json");
  const rows = [
    ["govuk-frontend", "static/vendor/govuk-frontend/, static/css/app.css"],
    ["htmx.org", "static/vendor/htmx/"],
    ["sass", "build tool only (compiles static/css/app.css), not shipped"],
  ];
  const lines = [
    "Third-party front-end packages in static/ (generated by assets/build.sh",
    "from assets/package-lock.json; do not edit by hand).",
    "",
  ];
  for (const [name, used] of rows) {
    const locked = lock.packages["node_modules/" + name];
    const installed = require("./node_modules/" + name + "/package.json").version;
    if (!locked || !locked.integrity) throw new Error(name + " missing from package-lock.json");
    if (installed !== locked.version) throw new Error(`${name}: installed ${installed}, locked ${locked.version}`);
    lines.push(`${name}@${locked.version}`);
    lines.push(`  integrity: ${locked.integrity}`);
    lines.push(`  licence:   ${locked.license || "see package"}`);
    lines.push(`  used for:  ${used}`);
    lines.push("");
  }
  fs.writeFileSync(process.argv[1], lines.join("\n"));
' "$STAGE/vendor/VERSIONS.txt"

# --- Checks on the staged output ---------------------------------------------

if grep -qi 'GDS Transport' "$STAGE/css/app.css"; then die "app.css mentions GDS Transport"; fi
if grep -qi '@font-face' "$STAGE/css/app.css"; then die "app.css has an @font-face rule"; fi
if find "$STAGE" -type f \( -iname '*.woff' -o -iname '*.woff2' -o -iname '*.ttf' -o -iname '*.otf' -o -iname '*.eot' \) | grep -q .; then
  die "a font file ended up in the output"
fi
if find "$STAGE" -type f | sed "s|^$STAGE/||" | grep -Eq '(govuk-crest|govuk-icon|govuk-opengraph|favicon)'; then
  die "a GOV.UK-only branding image ended up in the output"
fi

# --- Publish -----------------------------------------------------------------

mkdir -p "$STATIC_DIR/css"
rm -rf -- "$VENDOR_DIR"
rm -f -- "$CSS_OUT"
cp -R -- "$STAGE/vendor" "$VENDOR_DIR"
install -m 0644 "$STAGE/css/app.css" "$CSS_OUT"

log "done:"
(cd "$REPO_ROOT" && find static/css/app.css static/vendor -type f | sort | while IFS= read -r f; do
  printf '  %8s  %s\n' "$(wc -c < "$f" | tr -d ' ')" "$f"
done)
