"""Cabildo: participatory-democracy records as a Pelican site (the Pelican plugin `cabildo`).

The plugin only registers its generators and Jinja set-up here. The work is in the
layers: model/ (settings, reading and checking data/ into records), views/ (what each
page shows), outputs/ (pages, maps, open data, feeds, bulletins, search), pelican/ (the
Pelican glue and the `cabildo` command) and extensions/ (optional parts, the factory).
"""


def _generators(pelican):
    from .extensions import extensions
    from .pelican.bulletin_generator import BulletinGenerator
    from .pelican.generator import BudgetGenerator
    # The extensions' contexts (cheap) before the budget's: under `cabildo serve`, the
    # budget's renders the open pages as soon as its own is ready (pagerender.show_first).
    # The bulletins' reuses the budget's Index.
    return [*(generator for ext in extensions() for generator in ext.generators()),
            BudgetGenerator, BulletinGenerator]


def _jinja(generator):
    """Every Pelican generator's environment gets the same i18n, filters, the
    once-per-language fragments and the extensions' template parts (the theme includes
    them at its slots)."""
    from .extensions import template_parts
    from .model.settings import read
    from .views import fragments, i18n
    i18n.install(generator.env, {**read(generator.settings), **generator.settings})
    fragments.install(generator.env)
    generator.env.globals["template_parts"] = template_parts


def _folder_ready(generators):
    """Every generator has computed its context: the build folder, recycled in the
    background meanwhile (pelican/reuse.py), must be ready before they write."""
    from .pelican import reuse
    reuse.ready()


def _site_files(pelican):
    from pathlib import Path

    from .outputs import sitefiles
    from .pelican import reuse
    reuse.sweep(Path(pelican.output_path))  # before the sitemap lists the pages
    sitefiles.finalized(pelican)


def register():
    # Imported here: the data layer and the command line run without Pelican.
    from pelican import signals
    signals.get_generators.connect(_generators)
    signals.all_generators_finalized.connect(_folder_ready)
    signals.finalized.connect(_site_files)
    signals.generator_init.connect(_jinja)
