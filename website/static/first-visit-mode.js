// The book theme's page head copies localStorage "mode" into <html data-mode>, and leaves it
// empty on a reader's first visit; the theme's script then logs "Got invalid theme mode" as a
// console error before falling back to "auto". Start a first visit on "auto" instead.
if (!document.documentElement.dataset.mode) document.documentElement.dataset.mode = "auto";
