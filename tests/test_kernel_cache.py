"""numba's cache of the kernels is keyed on every kernel source file (nkborder.core.kernel_cache)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nkborder.core import kernel_cache
from nkborder.engine.daily import run_days
from nkborder.model.defection import cross


@pytest.mark.parametrize("kernel", [run_days, cross])
def test_kernels_are_stamped_with_all_kernel_sources(kernel: object) -> None:
    locator = kernel._cache._impl.locator  # type: ignore[attr-defined]
    assert isinstance(locator, kernel_cache.KernelInTreeLocator | kernel_cache.KernelUserProvidedLocator)
    assert locator.get_source_stamp() == kernel_cache.sources_digest()


def test_an_edit_of_a_called_submodel_changes_the_callers_stamp(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "nkborder"
    for package in kernel_cache.KERNEL_PACKAGES:
        shutil.copytree(kernel_cache.PACKAGE / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(kernel_cache, "PACKAGE", copy)
    kernel_cache.sources_digest.cache_clear()
    try:
        before = kernel_cache.sources_digest()
        source = copy / "model" / "defection.py"
        source.write_text(source.read_text() + "\n# an edit\n")
        kernel_cache.sources_digest.cache_clear()
        assert kernel_cache.sources_digest() != before
    finally:
        kernel_cache.sources_digest.cache_clear()


def test_files_outside_the_package_keep_numbas_own_locators(tmp_path: Path) -> None:
    outside = tmp_path / "kernel.py"
    outside.write_text("def f():\n    return 1\n")
    assert kernel_cache.KernelInTreeLocator.from_function(lambda: 1, str(outside)) is None
