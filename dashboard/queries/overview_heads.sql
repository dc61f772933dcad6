-- Overview headlines: per metric (displaced split into stock and new) and unit (people, households, houses: never
-- mixed), the latest figure at the filter's place level (country-level figures when no region is chosen), how many
-- figures and organisations. The cards' own query: a filter change's card callback runs only this.
SELECT metric, kind, unit, arg_max(latest, best_key) AS best, sum(n) AS n, count(DISTINCT org) AS n_orgs
FROM {{overview_rows}}
GROUP BY metric, kind, unit
ORDER BY metric, kind DESC, unit
