-- Claims keep stocks and flows apart: OCHA's "2.7 million displaced" (stock) and "80,000 newly displaced" (flow)
-- are different series. Derived tables (figure_facts, figure_months) are rebuilt by views.sql on every publish.
ALTER TABLE claims ADD COLUMN stock_or_flow VARCHAR;
