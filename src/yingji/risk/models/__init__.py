"""风险防控 (risk): grid cells, enterprises' hazard sources graded by GB 18218, risk assessments, hazard areas,
inspections and hidden dangers."""

from yingji.risk.models.dangers import (
    DangerGrade,
    DangerSource,
    DangerState,
    HiddenDanger,
    Inspection,
    InspectionPlan,
)
from yingji.risk.models.grid import GridCell, GridOfficer
from yingji.risk.models.sources import (
    AreaType,
    AssessmentMethod,
    ChemicalHolding,
    HazardArea,
    HazardSource,
    RiskAssessment,
    UnitType,
)

__all__ = ["GridCell", "GridOfficer", "HazardSource", "ChemicalHolding", "RiskAssessment", "HazardArea", "UnitType",
           "AssessmentMethod", "AreaType", "InspectionPlan", "Inspection", "HiddenDanger", "DangerGrade", "DangerState",
           "DangerSource"]
