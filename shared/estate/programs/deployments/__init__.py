"""The root project estate-deployments: delivery settings of every stack, as code."""
