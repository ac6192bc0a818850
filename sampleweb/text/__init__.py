"""Text banks and text generation: the words of the sample web's posts, articles and comments."""
