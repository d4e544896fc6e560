# The part of django-treebeard that chapterhouse uses, typed (treebeard ships no types).
