#!/bin/sh
# Builds the images the deploy tests run the published compose file with, since nothing can be
# pulled here: a base with this machine's .NET runtime on busybox (instead of
# mcr.microsoft.com/dotnet/aspnet), Redis (this machine's redis-server) and the standalone Aspire
# dashboard (from the restored aspire.dashboard.sdk.linux-x64 package). Each is tagged by what it
# holds, so a second run builds nothing. Prints the three tags.
#   build-test-images.sh BUSYBOX_IMAGE DASHBOARD_TOOLS_DIR
set -eu
busybox=${1:?usage: build-test-images.sh BUSYBOX_IMAGE DASHBOARD_TOOLS_DIR}
dashboard=${2:?usage: build-test-images.sh BUSYBOX_IMAGE DASHBOARD_TOOLS_DIR}
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(ls "$dotnet_root/shared/Microsoft.NETCore.App" | sort -V | tail -1)
redis=$(command -v redis-server)
redis_version=$("$redis" --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')
dashboard_version=$(basename "$(dirname "$dashboard")")
base_tag="atlas-test/dotnet:$runtime"
redis_tag="atlas-test/redis:$redis_version"
dashboard_tag="atlas-test/aspire-dashboard:$dashboard_version-$runtime"

# Copies files with the libraries they load, at the same paths, into the root filesystem $1.
with_libraries() {
  dest=$1; shift
  for file in "$@"; do
    mkdir -p "$dest$(dirname "$file")"
    cp -aL "$file" "$dest$file"
    ldd "$file" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' | while read -r lib; do
      [ -e "$dest$lib" ] && continue
      mkdir -p "$dest$(dirname "$lib")"
      cp -aL "$lib" "$dest$lib"
    done
  done
}

build() {
  tag=$1; context=$2
  docker build -q -t "$tag" "$context" >/dev/null
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! docker image inspect "$base_tag" >/dev/null 2>&1; then
  root="$work/base/rootfs"
  mkdir -p "$root/usr/share/dotnet/shared" "$root/usr/share/dotnet/host" "$root/usr/bin" "$root/tmp"
  cp -a "$dotnet_root/dotnet" "$root/usr/share/dotnet/"
  cp -a "$dotnet_root/host/fxr" "$root/usr/share/dotnet/host/"
  for framework in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
    mkdir -p "$root/usr/share/dotnet/shared/$framework"
    cp -a "$dotnet_root/shared/$framework/$runtime" "$root/usr/share/dotnet/shared/$framework/"
  done
  ln -s /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"
  # The native parts of the runtime and what they load, OpenSSL included (loaded by name at run time).
  with_libraries "$work/libs" "$dotnet_root/dotnet" $(find "$dotnet_root/host/fxr" "$dotnet_root/shared/Microsoft.NETCore.App/$runtime" -name '*.so') \
    $(ls /usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/libcrypto.so.3 2>/dev/null)
  rm -rf "$work/libs$dotnet_root"
  cp -a "$work/libs/." "$root/"
  cat > "$work/base/Dockerfile" <<DOCKERFILE
FROM $busybox
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
DOCKERFILE
  build "$base_tag" "$work/base"
fi

if ! docker image inspect "$redis_tag" >/dev/null 2>&1; then
  with_libraries "$work/redis/rootfs" "$redis"
  [ "$redis" = /usr/bin/redis-server ] || { mkdir -p "$work/redis/rootfs/usr/bin"; ln -s "$redis" "$work/redis/rootfs/usr/bin/redis-server"; }
  mkdir -p "$work/redis/rootfs/data"
  cat > "$work/redis/Dockerfile" <<DOCKERFILE
FROM $busybox
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin
WORKDIR /data
DOCKERFILE
  build "$redis_tag" "$work/redis"
fi

if ! docker image inspect "$dashboard_tag" >/dev/null 2>&1; then
  mkdir -p "$work/dashboard"
  cp -a "$dashboard" "$work/dashboard/app"
  # The dashboard needs ICU (it lists cultures).
  with_libraries "$work/dashboard/rootfs" $(ls /usr/lib/x86_64-linux-gnu/libicu*.so.[0-9]* | grep -v '\.so\.[0-9]*\.')
  cat > "$work/dashboard/Dockerfile" <<DOCKERFILE
FROM $base_tag
COPY rootfs/ /
COPY app/ /app/
ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=0
WORKDIR /app
ENTRYPOINT ["/app/Aspire.Dashboard"]
DOCKERFILE
  build "$dashboard_tag" "$work/dashboard"
fi

echo "$base_tag"
echo "$redis_tag"
echo "$dashboard_tag"
