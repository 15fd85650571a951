"""Shared resource registry (应急资源): capabilities, materials and stock, teams, equipment, experts, shelters."""
