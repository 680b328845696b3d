"""The course website's build (`make site`): build.py drives Sphinx, frames.py renders the
explorers' frames in each lesson's kernel. Not part of the library a learner installs."""
