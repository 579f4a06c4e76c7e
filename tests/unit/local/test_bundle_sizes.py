"""infra/tools/bundle_sizes.py on a small build directory shaped like `sam build`'s output."""

from __future__ import annotations

import zipfile
from pathlib import Path

from infra.tools.bundle_sizes import contributors, distribution, report, zipped

TEMPLATE = """
Globals:
  Function:
    Layers: [!Ref DepsLayer]
Resources:
  DepsLayer:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: DepsLayer}
  ShopFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ShopFunction, Handler: app.lambda_handler}
"""


def fake_build(root: Path) -> Path:
    (root / "template.yaml").write_text(TEMPLATE)
    (root / "ShopFunction").mkdir()
    (root / "ShopFunction" / "app.py").write_text("def lambda_handler(e, c):\n    return e\n")
    python = root / "DepsLayer" / "python"
    (python / "big" / "sub").mkdir(parents=True)
    (python / "big" / "sub" / "data.bin").write_bytes(b"\0" * 300_000)
    (python / "big-1.0.dist-info").mkdir()
    (python / "big-1.0.dist-info" / "RECORD").write_bytes(b"x" * 1000)
    (python / "_big_backend.cpython-313-aarch64-linux-gnu.so").write_bytes(b"y" * 5000)
    (python / "small.py").write_bytes(b"z" * 100)
    return root


def test_a_package_is_counted_with_its_dist_info_and_binary_modules(tmp_path: Path):
    build = fake_build(tmp_path)

    assert distribution("Big-1.0.dist-info") == "big"
    assert distribution("pydantic_core.libs") == "pydantic_core"
    assert contributors(build / "DepsLayer" / "python") == [
        ("big", 300_000 + 1000),
        ("_big_backend", 5000),
        ("small", 100),
    ]


def test_the_report_lists_each_artifact_zipped_and_unzipped_and_the_largest_function(tmp_path: Path):
    build = fake_build(tmp_path)

    text = report(build)

    assert "| DepsLayer | 298.9 kB |" in text
    assert "| ShopFunction | 0.0 kB |" in text
    assert "Largest function with its layers: ShopFunction, 299.0 kB unzipped of Lambda's 250 MB (0 %)." in text
    assert "| big | 293.9 kB | 98 % |" in text


def test_the_zipped_size_is_that_of_a_deflated_zip_of_the_directory(tmp_path: Path):
    build = fake_build(tmp_path)
    size = zipped(build / "DepsLayer")

    with zipfile.ZipFile(tmp_path / "out.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted((build / "DepsLayer").rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(build / "DepsLayer"))
    assert abs(size - (tmp_path / "out.zip").stat().st_size) < 200
    assert size < 10_000  # zeros compress
