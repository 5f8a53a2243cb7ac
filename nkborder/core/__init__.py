"""What every submodel builds on: the state arrays, the random streams, the record slots and low-level helpers.

Nothing here imports the submodels (:mod:`nkborder.model`) or the loop (:mod:`nkborder.engine`). Importing this
package makes numba's cache of the kernels depend on all their source files (:mod:`nkborder.core.kernel_cache`).
"""

from nkborder.core.kernel_cache import install as _install_kernel_cache

_install_kernel_cache()
