import subprocess
import sys

from fotoai.enhance.adapters.backends import build_enhancer, build_pipeline
from fotoai.enhance.config import EnhanceOptions
from fotoai.enhance.domain.cpu_pipeline import CpuPipeline


def test_cpu_device_uses_the_opencv_pipeline():
    pipeline = build_pipeline(EnhanceOptions(device="cpu", strip_rows=64))
    assert isinstance(pipeline, CpuPipeline)
    assert pipeline.strip_rows == 64


def test_torch_on_cpu_selects_the_torch_pipeline():
    from fotoai.enhance.domain.torch_pipeline import TorchPipeline

    pipeline = build_pipeline(EnhanceOptions(device="cpu", torch_on_cpu=True, batch_size=2))
    assert isinstance(pipeline, TorchPipeline)
    assert (pipeline.device, pipeline.batch_size) == ("cpu", 2)


def test_the_cpu_service_path_never_imports_torch():
    code = (
        "import sys, numpy as np\n"
        "from fotoai.enhance.adapters.backends import build_enhancer\n"
        "from fotoai.enhance.config import EnhanceOptions\n"
        "from fotoai.enhance.use_cases import EnhancePhoto\n"
        "e = build_enhancer(EnhanceOptions(device='cpu'))\n"
        "e.enhance(np.full((64, 64, 3), 90, np.uint8))\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_analysis_settings_come_from_options():
    enhancer = build_enhancer(EnhanceOptions(device="cpu", overview_side=256, detail_side=128))
    assert (enhancer.analysis.overview_side, enhancer.analysis.detail_side) == (256, 128)
