// The sample tree's entry point, shaped like CPython's: stable-abi checks the
// manifest in Misc/stable_abi.toml against what these headers expose at every
// Py_LIMITED_API version. There is no pyconfig.h: like an unconfigured
// checkout, the view uses its built-in platform profile, which defines
// HAVE_FORK (a feature macro: the manifest's HAVE_FORK items exist only where
// it is defined).

#ifndef Py_PYTHON_H
#define Py_PYTHON_H

#include "patchlevel.h"
#include "pyconfig.h"
#include "pyport.h"
#include "exports.h"

#include <stddef.h>               // system headers are not followed

#include "object.h"
#include "methodobject.h"
#include "pyerrors.h"
#include "ceval.h"
#include "pylifecycle.h"

#endif /* !Py_PYTHON_H */
