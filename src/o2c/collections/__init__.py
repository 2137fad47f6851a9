"""Collections: strategies as policy, dunning runs, the collector's worklist, promises to pay.

The strategy engine (`strategy.Engine`) is pure: the storage side hands it frozen facts about
each customer (`gathering.gather`) and records the actions it returns (`running.run_dunning`).
Correspondence (letters and mails) is composed in `letters` and sent through `o2c.notify`.
"""
