"""Charts of a round's figures: Vega-Lite specifications built with Altair (``specs``,
``fairness``; pure), rendered to accessible SVG on the server (``render``) and stored once per
round (``repository``, ``service``)."""
