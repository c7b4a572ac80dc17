"""Training the ranker and the abstention model on what serving retrieves.

``collect`` asks every training question of a real temporary store through the production
candidate generator (:mod:`qa.retrieval.candidates`) and the production features, so the models
learn on exactly what they meet when serving. ``sets`` names the training data (XQuAD-de dev and
the hand-written news dev set); ``ranker`` and ``abstention`` fit and export the two models.
"""
