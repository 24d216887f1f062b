#!/bin/sh
# Builds the release binary dist/bkfix: one file that runs on a control machine without the Swift toolchain.
#   - the Swift runtime and Foundation are linked statically (--static-swift-stdlib);
#   - libgit2 and its dependencies are linked statically wherever the system has their .a file
#     (Debian 12: libgit2-dev, libmbedtls-dev, libssh2-1-dev, libhttp-parser-dev, libpcre2-dev, zlib1g-dev,
#     libssl-dev for libssh2's libcrypto); what has no .a (Kerberos' libgssapi_krb5) stays dynamic and is named;
#   - it needs glibc 2.34 or newer (scripts/glibc-compat.c keeps hypot from requiring 2.35).
# Usage: scripts/release.sh   (or: make release)
set -eu
cd "$(dirname "$0")/.."
export LC_ALL=C

# libgit2's link line (pkg-config --static --libs libgit2 on Debian 12, plus the libraries its .a also needs:
# gssapi_krb5 for SPNEGO, crypto for libssh2).
libs="git2 mbedtls mbedx509 mbedcrypto http_parser ssh2 crypto pcre2-8 z gssapi_krb5"

# A folder holding only the .a files. SwiftPM links libgit2 as pkg-config describes it, with -L/usr/lib/<arch>
# (where libgit2.so is) ahead of any folder given on the command line; a libgit2.pc in this folder, found first
# through PKG_CONFIG_PATH, names this folder instead, so -lgit2 finds libgit2.a. Its dependencies follow on the link
# line, after the objects, in the order an archive needs them.
static=.build/static-libs
rm -rf "$static"
mkdir -p "$static"
cat >"$static/libgit2.pc" <<PC
Name: libgit2
Description: libgit2, linked from its static archive for the release binary
Version: $(pkg-config --modversion libgit2)
Cflags: $(pkg-config --cflags libgit2)
Libs: -L$PWD/$static -lgit2
PC
export PKG_CONFIG_PATH="$PWD/$static${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
flags="-Xlinker -L$PWD/$static"
for lib in $libs; do
    archive=$(cc -print-file-name="lib$lib.a")
    if [ -f "$archive" ]; then
        ln -s "$archive" "$static/lib$lib.a"
        echo "release: lib$lib: static ($archive)"
        flags="$flags -Xlinker -l$lib"
    elif [ -f "$(cc -print-file-name="lib$lib.so")" ]; then
        echo "release: lib$lib: dynamic (no lib$lib.a on this system)"
        flags="$flags -Xlinker -l$lib"
    else
        # No -dev symlink either (Kerberos without libkrb5-dev): link the runtime library by its soname.
        soname=$(ldconfig -p | sed -n "s/^[[:space:]]*\(lib$lib\.so\.[0-9]*\) .*/\1/p" | head -1)
        if [ -z "$soname" ]; then
            echo "release: lib$lib: not found (install its -dev package)" >&2
            exit 1
        fi
        echo "release: lib$lib: dynamic ($soname; no lib$lib.a on this system)"
        flags="$flags -Xlinker -l:$soname"
    fi
done
# What the static archives need from the C library itself.
flags="$flags -Xlinker -ldl -Xlinker -lpthread -Xlinker -lrt"
# hypot/hypotf through their glibc 2.2.5 version, so that glibc 2.34 is enough (scripts/glibc-compat.c).
cc -O2 -fPIC -fno-builtin -c scripts/glibc-compat.c -o "$static/glibc-compat.o"
flags="$flags -Xlinker $PWD/$static/glibc-compat.o"

# shellcheck disable=SC2086 # the flags are separate words on purpose
swift build -c release --static-swift-stdlib $flags
mkdir -p dist
cp .build/release/bkfix dist/bkfix.tmp
strip dist/bkfix.tmp
mv -f dist/bkfix.tmp dist/bkfix
echo "release: dist/bkfix ($(du -h dist/bkfix | cut -f1)); it needs:"
ldd dist/bkfix | sed 's/^/  /'
echo "release: highest glibc symbol version: $(objdump -T dist/bkfix | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)"
