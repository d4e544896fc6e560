"""The decision pages, one module per page group: log (every decision, a chapter's
Decisions section, exports), drafting (the draft form, publish, withdraw), proposals
(the proposal page, versions), amendments, affectedness (groups, stakes),
subsidiarity (move up, refer down), voting (the ballot) and records (the decision
record, dissent, receipts); common holds what they share. urls.py names each view
by its module.

Interfaces only: parse, fetch with permission (decisions.access: 404 when the
proposal is not visible, 403 when visible but not allowed), call one service,
render. A refusal from a service (DecisionError) becomes a form error or a page
message and nothing is stored. Every form works without JavaScript; htmx swaps the
ballot panel and the log's results in place.
"""
