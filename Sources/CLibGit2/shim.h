#ifndef BKFIX_CLIBGIT2_SHIM_H
#define BKFIX_CLIBGIT2_SHIM_H
#include <git2.h>
/* git_repository_set_odb: the state repo swaps in an object database with private file modes. */
#include <git2/sys/repository.h>

/* git_libgit2_opts is variadic, which Swift cannot call: these wrappers pin the options bkfix needs. */

/** Point the global/xdg/system config search paths at `path` so the user's ~/.gitconfig never leaks in. */
static inline int bkfix_git_set_config_search_path(const char *path) {
    int rc = git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, path);
    if (rc != 0) return rc;
    rc = git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, path);
    if (rc != 0) return rc;
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, path);
}

/** Ask libgit2 to fsync objects and refs, so a crash never leaves a half-written commit. */
static inline int bkfix_git_enable_fsync(void) {
    return git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
}

#endif
