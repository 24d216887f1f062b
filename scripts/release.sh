#!/bin/sh
# Builds the release binary dist/bkfix: one file that runs on a control machine without the Swift toolchain.
#   - the Swift runtime and Foundation are linked statically (--static-swift-stdlib);
#   - libgit2 and its dependencies are linked statically wherever the system has their .a file
#     (Debian 12: libgit2-dev, libmbedtls-dev, libssh2-1-dev, libhttp-parser-dev, libpcre2-dev, zlib1g-dev,
#     libssl-dev for libssh2's libcrypto); what has no .a (Kerberos' libgssapi_krb5) stays dynamic and is named.
# Usage: scripts/release.sh   (or: make release)
set -eu
cd "$(dirname "$0")/.."
export LC_ALL=C

# libgit2's link line (pkg-config --static --libs libgit2 on Debian 12, plus the libraries its .a also needs:
# gssapi_krb5 for SPNEGO, crypto for libssh2).
libs="git2 mbedtls mbedx509 mbedcrypto http_parser ssh2 crypto pcre2-8 z gssapi_krb5"

# A folder holding only the .a files, searched first: the linker then takes libX.a for -lX, never libX.so.
static=.build/static-libs
rm -rf "$static"
mkdir -p "$static"
flags="-Xlinker -L$PWD/$static"
for lib in $libs; do
    archive=$(cc -print-file-name="lib$lib.a")
    if [ -f "$archive" ]; then
        ln -s "$archive" "$static/lib$lib.a"
        echo "release: lib$lib: static ($archive)"
    else
        echo "release: lib$lib: dynamic (no lib$lib.a on this system)"
    fi
    flags="$flags -Xlinker -l$lib"
done
# What the static archives need from the C library itself.
flags="$flags -Xlinker -ldl -Xlinker -lpthread -Xlinker -lrt"

# shellcheck disable=SC2086 # the flags are separate words on purpose
swift build -c release --static-swift-stdlib $flags
mkdir -p dist
cp .build/release/bkfix dist/bkfix.tmp
strip dist/bkfix.tmp
mv -f dist/bkfix.tmp dist/bkfix
echo "release: dist/bkfix ($(du -h dist/bkfix | cut -f1)); it needs:"
ldd dist/bkfix | sed 's/^/  /'
echo "release: highest glibc symbol version: $(objdump -T dist/bkfix | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)"
