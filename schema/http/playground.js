// Starts the self-hosted GraphiQL (see schema/playground.py). An external file, so the page's
// Content-Security-Policy needs no 'unsafe-inline'.
(function () {
  const root = document.getElementById("graphiql");
  const headers = {};
  const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  if (csrf) headers["X-CSRFToken"] = decodeURIComponent(csrf.split("=")[1]);

  const EXAMPLE = `# Hearth's GraphQL playground. Run with Ctrl-Enter.
{
  posts(first: 5) {
    edges { node { title slug commentCount reactions { total } } }
  }
}
`;
  const fetcher = GraphiQL.createFetcher({ url: root.dataset.endpoint, headers });
  const explorer = GraphiQLPluginExplorer.explorerPlugin();

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: EXAMPLE,
      plugins: [explorer],
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      inputValueDeprecation: true,
    }),
  );
})();
