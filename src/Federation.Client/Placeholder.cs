namespace Federation.Client;
