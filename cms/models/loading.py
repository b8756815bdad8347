from django.db import models
from django.db.models.base import ModelState


class LoadsWithoutInit(models.Model):
    """Rows of hot models become instances without `Model.__init__`: the fields' values go
    straight into the instance's `__dict__`, as Django's own unpickling does. A comment page
    makes a few hundred instances, and `__init__` (every field set through its descriptor, the
    init signals sent) cost seven times as much. No model of Hearth listens to pre_init or
    post_init; a field not loaded stays deferred, read from the database on first use."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = cls.__new__(cls)
        instance._state = ModelState()
        instance._state.adding = False
        instance._state.db = db
        instance.__dict__.update(zip(field_names, values, strict=True))
        return instance
