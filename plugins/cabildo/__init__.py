"""Cabildo: participatory-democracy records as a Pelican site.

The plugin only registers its generators and Jinja set-up here; the work is
in the modules: load (data layer), stats and pages (what pages show),
generator (Pelican glue), opendata, bulletins (printed PDFs), i18n,
build (atomic output).
"""
from pelican import signals


def _generators(pelican):
    from .pelican.bulletin_generator import BulletinGenerator
    from .extensions.factory.generator import FactoryGenerator
    from .pelican.generator import BudgetGenerator
    return [BudgetGenerator, BulletinGenerator, FactoryGenerator]


def _jinja(generator):
    """Every Pelican generator's environment gets the same i18n and filters."""
    from .views import i18n
    from .model.settings import read
    i18n.install(generator.env, {**read(generator.settings), **generator.settings})


def _site_files(pelican):
    from .outputs import sitefiles
    sitefiles.finalized(pelican)


def register():
    signals.get_generators.connect(_generators)
    signals.finalized.connect(_site_files)
    signals.generator_init.connect(_jinja)
