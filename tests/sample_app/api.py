from tests.sample_app.registry import KINDS

from yingji.core.kinds.api import router_for

router = router_for(KINDS.values(), "sample")
