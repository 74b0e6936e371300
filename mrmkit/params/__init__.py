"""The parameter file: pydantic models, loading, path resolution and containment.

One YAML file per model (contract section 5). Unknown keys are errors at every level. Paths are relative
to the parameter file and must resolve (symbolic links followed) inside one of the folders named by
``data.roots`` (by default the parameter file's own folder). Every default lives here, in one place, and
the README's parameter reference is checked against these models by a test.

The package has one module per part of the file, and this module re-exports all their names:
:mod:`~mrmkit.params._base` (the base of every section, path resolution, the artifact fields, the
threshold pairs, a data input given as a query), :mod:`~mrmkit.params.model` (``model``, ``challenger``,
``data``),
:mod:`~mrmkit.params.policy` (``policy``), :mod:`~mrmkit.params.workbooks` (the sections of the four
workbooks) and :mod:`~mrmkit.params.parameters` (the whole file, its validation and loading). Two more files
a bank writes are read here, not re-exported: :mod:`~mrmkit.params.database` (the checks of a database URL
and query) and :mod:`~mrmkit.params.inventory` (the model inventory, which ``mrmkit batch``, ``mrmkit list``
and the Prometheus export read).
"""

# isort: off
from mrmkit.params._base import WORKBOOKS
from mrmkit.params.parameters import Parameters, load_parameters, parameters_from_dict, read_yaml

# The former module's other names, still importable from here ("x as x" marks a re-export).
from mrmkit.params._base import (
    _SAFE_NAME as _SAFE_NAME,
    ArtifactSection as ArtifactSection,
    LowThresholds as LowThresholds,
    Query as Query,
    Thresholds as Thresholds,
    _resolve as _resolve,
    _Section as _Section,
)
from mrmkit.params.model import (
    ChallengerSection as ChallengerSection,
    DataSection as DataSection,
    MlflowSection as MlflowSection,
    ModelSection as ModelSection,
    ValidationSection as ValidationSection,
)
from mrmkit.params.policy import (
    Costs as Costs,
    DriverShift as DriverShift,
    MinimumSample as MinimumSample,
    PolicySection as PolicySection,
    RetrainingTrigger as RetrainingTrigger,
)
from mrmkit.params.workbooks import (
    AbDesign as AbDesign,
    AbSection as AbSection,
    BacktestSection as BacktestSection,
    ChampionChallengerSection as ChampionChallengerSection,
    DecisionRules as DecisionRules,
    DriftSection as DriftSection,
    ExplainabilitySection as ExplainabilitySection,
    FairnessSection as FairnessSection,
    GradeScale as GradeScale,
    InitialAuc as InitialAuc,
    ReasonCode as ReasonCode,
    Scenario as Scenario,
    SegmentFilter as SegmentFilter,
    SensitivitySection as SensitivitySection,
    ShadowSection as ShadowSection,
    Shock as Shock,
    StressSection as StressSection,
    VarSection as VarSection,
)
from mrmkit.params.parameters import (
    _allowed_keys as _allowed_keys,
    _check_containment as _check_containment,
    _location as _location,
    _message as _message,
)
# isort: on

__all__ = ["Parameters", "load_parameters", "parameters_from_dict", "read_yaml", "WORKBOOKS"]
