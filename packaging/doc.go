// Package packaging holds what eich's .deb and .rpm packages carry besides
// the build's own files, and the tests of the release artifacts:
//
//   - copyright: Debian's machine-readable copyright file, naming each
//     licence in the static binary;
//   - changelog.yml: the packages' changelog (nfpm's chglog format), one
//     entry per release;
//   - rpmlint.toml: rpmlint's settings for the RPMs (rpmlint -c), with the
//     findings that are known and meant.
//
// .goreleaser.yaml puts them into the packages. The tests build a release
// snapshot twice, signed with a throw-away key, and check that both give
// the same bytes, that lintian, rpmlint and mandoc find nothing wrong with
// what it built, and that install.sh, with that key pinned, checks the
// signature and installs from it. lintian, rpmlint, rpm, cpio and mandoc
// must be installed: without one the tests fail.
package packaging
