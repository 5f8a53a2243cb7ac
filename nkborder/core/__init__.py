"""What every submodel builds on: the state arrays, the random streams, the record slots and low-level helpers.

Nothing here imports the submodels (:mod:`nkborder.model`) or the loop (:mod:`nkborder.engine`). Importing this
package makes numba's cache of the kernels depend on all their source files (:mod:`nkborder.core.kernel_cache`),
and sets the LLVM passes numba runs on each function before linking (:func:`nkborder.core.jit.install_function_passes`).
"""

from nkborder.core.jit import install_function_passes as _install_function_passes
from nkborder.core.kernel_cache import install as _install_kernel_cache

_install_kernel_cache()
_install_function_passes()
